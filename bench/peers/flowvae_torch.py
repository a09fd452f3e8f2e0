#!/usr/bin/env python3
"""Flow-VAE speed peer (PyTorch, CPU) for bench/flowvae-speed.ts (issue 16, Speed).

The same network as src-core/generative/vae-graph.ts ('psf' likelihood):
  encoder: input [x / fluxScale, log sigma broadcast] (2 channels, S x S); three
           (conv3 -> SiLU -> 2x2 average pool) levels, widths --enc; Linear heads mu, log var (L).
  decoder: Linear L -> dec[0] x (S/8)^2 -> SiLU; per width: nearest x2 -> conv3 -> SiLU; conv3 -> 1
           (2S x 2S, half the stamp pixel); optional softplus output.
  likelihood: m = avgpool2(psf_b * g_b) with a different PSF per stamp (one grouped convolution),
           loss = mean_b [ 1/2 sum w (x - m)^2 + beta * KL(q || N(0, I)) ], Adam.
Modes:
  train : images/s of full training steps (forward, backward, Adam) after --warmup steps.
  sample: decode --n galaxies (z ~ N(0, I), batches of 256) and observe them at LSST-like settings:
          2x2 rebin to the survey pixel, separable Gaussian PSF (FWHM --fwhm-pix survey pixels),
          Poisson + Gaussian noise; the work of `lensdesk galaxy sample` without the FITS write.
Prints one JSON line. Needs torch and numpy only.
"""
import argparse, json, math, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class FlowVae(nn.Module):
    def __init__(self, size=32, latent=16, enc=(16, 32, 32), dec=(32, 16, 8, 4), softplus=False):
        super().__init__()
        self.size, self.latent, self.dec_w, self.softplus = size, latent, dec, softplus
        e0, e1, e2 = enc
        self.ec = nn.ModuleList([nn.Conv2d(2, e0, 3, padding=1), nn.Conv2d(e0, e1, 3, padding=1), nn.Conv2d(e1, e2, 3, padding=1)])
        nf = e2 * (size // 8) ** 2
        self.mu, self.logvar = nn.Linear(nf, latent), nn.Linear(nf, latent)
        self.din = nn.Linear(latent, dec[0] * (size // 8) ** 2)
        chans = [dec[0]] + list(dec)
        self.dc = nn.ModuleList([nn.Conv2d(chans[i], chans[i + 1], 3, padding=1) for i in range(len(dec))])
        self.dout = nn.Conv2d(dec[-1], 1, 3, padding=1)

    def encode(self, x, log_sigma):
        h = torch.cat([x, log_sigma.view(-1, 1, 1, 1).expand_as(x)], 1)
        for c in self.ec:
            h = F.avg_pool2d(F.silu(c(h)), 2)
        h = h.flatten(1)
        return self.mu(h), self.logvar(h)

    def decode(self, z):
        b = self.size // 8
        h = F.silu(self.din(z).view(-1, self.dec_w[0], b, b))
        for c in self.dc:
            h = F.silu(c(F.interpolate(h, scale_factor=2, mode="nearest")))
        g = self.dout(h)
        return F.softplus(g) if self.softplus else g


def observe_psf(g, psf):
    """avgpool2(psf_b * g_b): a true convolution (flipped kernel) per stamp, as one grouped conv."""
    B, _, D, _ = g.shape
    K = psf.shape[-1]
    m = F.conv2d(g.view(1, B, D, D), torch.flip(psf, (-2, -1)), padding=K // 2, groups=B).view(B, 1, D, D)
    return F.avg_pool2d(m, 2)


def gaussian_psf(fwhm_pix, k):
    s = fwhm_pix / (2 * math.sqrt(2 * math.log(2)))
    r = np.arange(k) - (k - 1) / 2
    g = np.exp(-0.5 * (r[:, None] ** 2 + r[None, :] ** 2) / s ** 2)
    return (g / g.sum()).astype(np.float32)


def train_speed(a, model):
    torch.manual_seed(a.seed)
    S, B, K, L = a.size, a.batch, a.psf_size, a.latent
    rng = np.random.default_rng(a.seed)
    # noisy Gaussian blobs in O(1) units: the throughput does not depend on the content
    yy, xx = np.mgrid[0:S, 0:S] - (S - 1) / 2
    n_data = 256
    data = np.empty((n_data, 1, S, S), np.float32)
    for i in range(n_data):
        s = rng.uniform(1, 4)
        data[i, 0] = np.exp(-(xx ** 2 + yy ** 2) / (2 * s * s)) + 0.04 * rng.standard_normal((S, S))
    data = torch.from_numpy(data)
    psf = torch.from_numpy(np.stack([gaussian_psf(7.3, K)] * B)[:, None])
    w = torch.full((B, 1, S, S), 1 / 0.04 ** 2)
    log_sigma = torch.full((B,), math.log(0.04))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    timed, losses = 0.0, []
    for it in range(a.warmup + a.steps):
        idx = torch.from_numpy(rng.integers(0, n_data, B))
        x = data[idx]
        t0 = time.perf_counter()
        eps = torch.randn(B, L)
        mu, logvar = model.encode(x, log_sigma)
        z = mu + torch.exp(0.5 * logvar) * eps
        m = observe_psf(model.decode(z), psf)
        rec = 0.5 * (w * (x - m) ** 2).sum((1, 2, 3))
        kl = 0.5 * (mu * mu + logvar.exp() - 1 - logvar).sum(1)
        loss = (rec + a.beta * kl).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if it >= a.warmup:
            timed += time.perf_counter() - t0
            losses.append(float(loss))
    return {"img_per_s": B * a.steps / timed, "seconds": timed, "loss_first": losses[0], "loss_last": losses[-1]}


@torch.no_grad()
def sample_speed(a, model):
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    t0 = time.perf_counter()
    out_side = a.size + 1  # odd output side, as resolveTarget makes it
    k1 = torch.from_numpy(gaussian_psf(a.fwhm_pix, 2 * int(math.ceil(2 * a.fwhm_pix)) + 1)[None, None])
    k = k1.shape[-1]
    row = k1.sum(-2, keepdim=True) / k1.sum()   # 1 x k separable factors
    col = row.transpose(-1, -2)
    images = np.empty((a.n, out_side, out_side), np.float32)
    for o in range(0, a.n, 256):
        n = min(256, a.n - o)
        g = model.decode(torch.randn(n, a.latent, generator=gen))
        p = F.avg_pool2d(g, 2) * 4 * a.flux                     # flux-conserving rebin to the survey pixel
        p = F.pad(p, (0, 1, 0, 1))
        p = F.conv2d(F.conv2d(p, row, padding=(0, k // 2)), col, padding=(k // 2, 0))
        model_img = p.clamp_min(0) + a.sky
        noisy = torch.poisson(model_img, generator=gen) - a.sky + a.read * torch.randn(model_img.shape, generator=gen)
        images[o:o + n] = noisy[:, 0].numpy()
    return {"seconds": time.perf_counter() - t0, "n": a.n, "checksum": float(np.abs(images).mean())}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", choices=["train", "sample"], default="train")
    p.add_argument("--size", type=int, default=32)
    p.add_argument("--latent", type=int, default=16)
    p.add_argument("--enc", default="16,32,32")
    p.add_argument("--dec", default="32,16,8,4")
    p.add_argument("--softplus", action="store_true")
    p.add_argument("--psf-size", type=int, default=19)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--beta", type=float, default=1.0)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--n", type=int, default=10000)
    p.add_argument("--fwhm-pix", type=float, default=3.65)
    p.add_argument("--flux", type=float, default=12300.0)
    p.add_argument("--sky", type=float, default=2.0e5)
    p.add_argument("--read", type=float, default=50.0)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    model = FlowVae(a.size, a.latent, tuple(int(v) for v in a.enc.split(",")), tuple(int(v) for v in a.dec.split(",")), a.softplus)
    params = sum(q.numel() for q in model.parameters())
    r = train_speed(a, model) if a.mode == "train" else sample_speed(a, model)
    print(json.dumps({"mode": a.mode, "torch": torch.__version__, "threads": a.threads, "params": params, **r}))


if __name__ == "__main__":
    main()
