// Which focused element keeps a key press to itself. Review is keyboard first (issue #19): after a
// click on any toolbar control (select, checkbox, slider, button) grade keys must still reach the
// grid; only a field where the user types text keeps the keys.

const TEXT_INPUT_TYPES = new Set(['text', 'search', 'number', 'email', 'password', 'url', 'tel', 'date', 'datetime-local', 'month', 'time', 'week']);

/** True when `el` is a field that consumes typed characters (so global shortcuts must not fire). */
export function isTextField(el: Element | null): boolean {
  if (!el) return false;
  if ((el as HTMLElement).isContentEditable) return true;
  const tag = el.tagName;
  if (tag === 'TEXTAREA') return true;
  if (tag !== 'INPUT') return false;
  const type = ((el as HTMLInputElement).type || 'text').toLowerCase();
  return TEXT_INPUT_TYPES.has(type);
}

/**
 * True when `el` is a control (button, select, checkbox, slider, link) that would also act on the
 * key — Space or Enter clicking a focused button, arrows moving a select or slider. The desk takes
 * the key and drops focus from the control, so the next key goes to the grid as well.
 */
export function isFocusableControl(el: Element | null): boolean {
  if (!el) return false;
  const tag = el.tagName;
  return tag === 'BUTTON' || tag === 'SELECT' || tag === 'A' || tag === 'SUMMARY' || (tag === 'INPUT' && !isTextField(el));
}
