// Keyboard access to wide tables (WCAG 2.1.1; axe-core's scrollable-region-focusable): a `.table-wrap` that
// scrolls sideways at the current width (a phone, or a desktop zoomed to 200%) becomes a named region that
// takes the focus, so the arrow keys scroll it; one that fits is left out of the tab order. Its name is the
// table's caption or the heading above it. Without this script the tables still scroll with a finger or a
// mouse, and browsers that make scrollers focusable themselves do the rest.
(function () {
  "use strict";
  function heading(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    for (var node = wrap; node && node !== document.body; node = node.parentElement) {
      for (var prev = node.previousElementSibling; prev; prev = prev.previousElementSibling) {
        if (/^H[1-6]$/.test(prev.tagName)) { return prev.textContent.trim(); }
      }
    }
    return "表格";
  }
  function update() {
    var wraps = document.querySelectorAll(".table-wrap");
    for (var i = 0; i < wraps.length; i++) {
      var wrap = wraps[i];
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", heading(wrap) + "（表格较宽，可左右滚动）");
      } else {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    }
  }
  var pending;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(update, 150);
  });
  update();
})();
