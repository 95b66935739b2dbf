// Progressive enhancement for the rating form (录入评估等级): when 公告日期 changes, ask the server for the
// validity computed from it and show it; the two validity fields follow unless the officer has changed
// them (then the server asks for a reason on saving). The server computes and checks the validity again.
(function () {
  "use strict";
  var box = document.getElementById("validity-preview");
  var announced = document.getElementById("announced_on");
  if (!box || !announced) { return; }
  var from = document.getElementById("valid_from");
  var until = document.getElementById("valid_until");
  function follows(field, attr) {
    return field && (field.value === "" || field.value === (box.getAttribute(attr) || ""));
  }
  function update() {
    if (!announced.value) { return; }
    var url = box.getAttribute("data-validity-url") + "?announced_on=" + encodeURIComponent(announced.value);
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.error) { box.textContent = data.error; return; }
        var followFrom = follows(from, "data-valid-from"), followUntil = follows(until, "data-valid-until");
        if (followFrom && from) { from.value = data.valid_from; }
        if (followUntil && until) { until.value = data.valid_until; }
        box.setAttribute("data-valid-from", data.valid_from);
        box.setAttribute("data-valid-until", data.valid_until);
        box.textContent = data.text;
      })
      .catch(function () { box.textContent = "暂时无法计算有效期，保存时系统将按公告日期计算。"; });
  }
  announced.addEventListener("change", update);
  announced.addEventListener("input", update);
})();
