// The kuesioner editor's preview follows the typing (issue 22: "a live preview"): a moment
// after the last change the form is sent as "pratinjau" (which stores nothing) and the two
// phone frames, Indonesian and English, are replaced by the server's rendering. Without
// JavaScript the "Pratinjau" button does the same with a page load.
(function () {
  "use strict";
  var form = document.querySelector("form.kuesioner-editor");
  if (!form || form.querySelector("fieldset[disabled]")) {
    return; // a viewer reads only
  }
  var timer = null;
  var sent = 0;

  function refresh() {
    var data = new FormData(form);
    data.set("aksi", "pratinjau");
    var number = ++sent;
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (text) {
        if (number !== sent) {
          return; // a newer edit is on its way
        }
        var page = new DOMParser().parseFromString(text, "text/html");
        var fresh = page.getElementById("pratinjau");
        var shown = document.getElementById("pratinjau");
        if (fresh && shown) {
          shown.replaceWith(fresh);
        } else if (fresh) {
          form.after(fresh);
        } else if (shown) {
          shown.classList.add("stale"); // the rules refuse what is typed: press Pratinjau
        }
      })
      .catch(function () { /* offline: the button still works */ });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  });
})();
