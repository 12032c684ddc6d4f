/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  function focusErrorSummary() {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  }

  function followJob() {
    var box = document.querySelector("[data-job-status-url]");
    if (!box || box.getAttribute("data-job-done") === "true") { return; }
    var url = box.getAttribute("data-job-status-url");
    var bar = box.querySelector("progress");
    var percent = box.querySelector("[data-job-percent]");
    var state = box.querySelector("[data-job-state]");
    function poll() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (job) {
          bar.value = job.progress;
          percent.textContent = job.progress + "%";
          if (job.done) { window.location.reload(); return; }
          var text = state.getAttribute("data-running-label") || "";
          state.textContent = text + " — " + job.progress + "%" + (job.message ? " (" + job.message + ")" : "");
          window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    window.setTimeout(poll, 1000);
  }

  // The answer workspace by keyboard: j/k move between rows, x ticks the row, a answers the
  // ticked inputs. Keys typed into a field are left alone.
  function workspaceKeys() {
    var form = document.querySelector("[data-workspace]");
    if (!form) { return; }
    var rows = Array.prototype.slice.call(form.querySelectorAll("[data-row]"));
    var current = -1;
    rows.forEach(function (row) { row.setAttribute("tabindex", "-1"); });
    document.addEventListener("keydown", function (event) {
      var tag = (event.target.tagName || "").toLowerCase();
      if (event.ctrlKey || event.metaKey || event.altKey || tag === "input" && event.target.type !== "checkbox"
          || tag === "textarea" || tag === "select") { return; }
      if (event.key === "j" || event.key === "k") {
        current = Math.max(0, Math.min(rows.length - 1, current + (event.key === "j" ? 1 : -1)));
        if (rows[current]) { rows[current].focus(); }
      } else if (event.key === "x" && rows[current]) {
        var box = rows[current].querySelector("input[type=checkbox]");
        if (box) { box.checked = !box.checked; }
      } else if (event.key === "a") {
        var button = form.querySelector("[data-answer-selected]");
        if (button) { button.click(); }
      } else { return; }
      event.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    followJob();
    workspaceKeys();
  });
})();
