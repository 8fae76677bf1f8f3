// A field's error is about what was typed before: once the field is edited, it goes (the
// server checks again on submit). One listener for every form on the page, including
// forms added to the page later.
(function () {
  "use strict";
  function clear(event) {
    var field = event.target.closest ? event.target.closest(".field.has-error") : null;
    if (!field) return;
    field.classList.remove("has-error");
    field.querySelectorAll(".error").forEach(function (error) { error.remove(); });
  }
  document.addEventListener("input", clear);
  document.addEventListener("change", clear);
})();
