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

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    followJob();
  });
})();
