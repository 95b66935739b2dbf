// Progressive enhancement for the call form: a running total of the rubric's points.
// The server checks the total (it must be 100) whether or not this script runs.
(function () {
  "use strict";
  var box = document.querySelector("[data-rubric-total]");
  if (!box) { return; }
  var form = box.closest("form");
  function update() {
    var total = 0;
    form.querySelectorAll("input[name^='criteria-'][name$='-max_points']").forEach(function (input) {
      var v = input.value.trim();
      if (/^[0-9]{1,3}$/.test(v)) { total += parseInt(v, 10); }
    });
    box.querySelector("strong").textContent = String(total);
    box.classList.toggle("off", total !== 100);
    box.hidden = false;
  }
  form.addEventListener("input", update);
  update();
})();
