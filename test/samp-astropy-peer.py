"""An independent SAMP hub and client for LensDesk's interop test (src-main/samp/samp-astropy.test.ts).

Starts astropy's SAMPHubServer (Standard Profile only, loopback, lockfile at argv[1]) and an
astropy SAMPIntegratedClient in the same process, then reports on stdout, one JSON object a line:
  {"event": "ready", "id": <client public id>, "hub": <hub id>}
  {"event": "received", "mtype": ..., "params": ..., "sender": ..., "readable": bool, ...}
  {"event": "call", "mtype": ..., "params": ...}
On table.load.votable the client fetches the URL, parses the VOTable, and (as a TOPCAT user
clicking a row would) sends table.highlight.row for row 1 back to the sender. coord.pointAt.sky
calls are answered with samp.ok and the coordinates echoed. Exits when stdin closes or after
argv[2] seconds (default 60), stopping the hub (which removes the lockfile).
"""
import io
import json
import sys
import threading
import time
import urllib.request

from astropy.io import fits, votable
from astropy.samp import SAMPHubServer, SAMPIntegratedClient

lockfile = sys.argv[1]
deadline = time.time() + float(sys.argv[2] if len(sys.argv) > 2 else 60)
out_lock = threading.Lock()


def say(**kw):
    with out_lock:
        sys.stdout.write(json.dumps(kw) + "\n")
        sys.stdout.flush()


hub = SAMPHubServer(web_profile=False, lockfile=lockfile, addr="127.0.0.1", timeout=int(deadline - time.time()) + 5)
hub.start(wait=False)
client = SAMPIntegratedClient(name="astropy-peer", description="independent SAMP peer for LensDesk tests", addr="127.0.0.1")
client.connect(hub=hub)


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read(), r.headers.get("content-type")


def on_table(private_key, sender_id, mtype, params, extra):
    info = {"event": "received", "mtype": mtype, "params": params, "sender": sender_id}
    try:
        body, ctype = fetch(params["url"])
        t = votable.parse(io.BytesIO(body), verify="exception").get_first_table()
        info.update(readable=True, content_type=ctype, nrows=len(t.array), fields=[f.name for f in t.fields],
                    refs=[f.ref for f in t.fields])
    except Exception as e:  # reported, not raised: the test asserts on it
        info.update(readable=False, error=repr(e))
    say(**info)
    # Answer like a TOPCAT user clicking row 1 of the table just loaded (after this callback returns).
    highlight = {"samp.mtype": "table.highlight.row", "samp.params": {"table-id": params.get("table-id", ""), "url": params["url"], "row": "1"}}
    threading.Timer(0.1, lambda: client.notify(sender_id, highlight)).start()


def on_image(private_key, sender_id, mtype, params, extra):
    info = {"event": "received", "mtype": mtype, "params": params, "sender": sender_id}
    try:
        body, ctype = fetch(params["url"])
        with fits.open(io.BytesIO(body)) as h:
            info.update(readable=True, content_type=ctype, shape=list(h[0].data.shape), sum=float(h[0].data.sum()))
    except Exception as e:
        info.update(readable=False, error=repr(e))
    say(**info)


def on_point(private_key, sender_id, msg_id, mtype, params, extra):
    say(event="call", mtype=mtype, params=params, sender=sender_id)
    client.reply(msg_id, {"samp.status": "samp.ok", "samp.result": {"echoed": "%s,%s" % (params["ra"], params["dec"])}})


client.bind_receive_notification("table.load.votable", on_table)
client.bind_receive_notification("image.load.fits", on_image)
client.bind_receive_call("coord.pointAt.sky", on_point)
say(event="ready", id=client.get_public_id(), hub=hub.id)

# Stop when the test closes stdin (or dies), or at the deadline.
stdin_closed = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), stdin_closed.set()), daemon=True).start()
while not stdin_closed.is_set() and time.time() < deadline:
    time.sleep(0.05)
try:
    client.disconnect()
finally:
    hub.stop()
say(event="stopped")
