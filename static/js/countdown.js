// Progressive enhancement for the 公示 page: keeps "距公示结束还有X天X小时" current while the page is open.
// The server writes the same text; without this script the page shows it as of loading.
(function () {
  "use strict";
  var box = document.querySelector("[data-countdown-end]");
  if (!box) { return; }
  var end = Date.parse(box.getAttribute("data-countdown-end"));
  if (isNaN(end)) { return; }
  var timer;
  function update() {
    var left = end - Date.now();
    if (left <= 0) {
      box.textContent = "公示期已结束，不再受理异议";
      window.clearInterval(timer);
      return;
    }
    var hours = Math.floor(left / 3600000);
    var days = Math.floor(hours / 24);
    box.textContent = (days === 0 && hours % 24 === 0) ? "距公示结束不足1小时"
      : "距公示结束还有" + days + "天" + (hours % 24) + "小时";
  }
  timer = window.setInterval(update, 60000);
  update();
})();
