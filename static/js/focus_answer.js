// After a form is sent, the page's answer takes the focus (WCAG 2.4.3): the summary of what to correct, or a
// verification's verdict, marked `data-focus-on-load` with tabindex="-1". Keyboard and screen-reader users then
// start at the answer instead of the top of the page; the first such element on a page wins. Without this
// script the answer is still announced (role="alert"/"status") and shown first in the content.
(function () {
  "use strict";
  var target = document.querySelector("[data-focus-on-load]");
  if (target) { target.focus(); }
})();
