// The plan editor works without scripts (one new row per list, added on save). With this,
// each section has one "Add a question" button: the first press shows the empty row, each
// further press adds a copy of it with fresh field names.
(function () {
  "use strict";
  document.querySelectorAll("ol.questions").forEach(function (list) {
    var blank = list.querySelector("li.blank-row");
    if (!blank) return;
    var template = blank.cloneNode(true);
    blank.hidden = true;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button small";
    button.textContent = "Add a question";

    function show(row) {
      var details = row.querySelector("details");
      if (details) details.open = true;
      var text = row.querySelector("textarea");
      if (text) text.focus();
    }

    button.addEventListener("click", function () {
      if (blank.hidden) {
        blank.hidden = false;
        show(blank);
        return;
      }
      var index = list.children.length;
      var row = template.cloneNode(true);
      row.querySelectorAll("[name], [id], label[for]").forEach(function (element) {
        ["name", "id", "for"].forEach(function (attribute) {
          var value = element.getAttribute(attribute);
          if (value) element.setAttribute(attribute, value.replace(/-q-\d+-/, "-q-" + index + "-"));
        });
      });
      list.appendChild(row);
      show(row);
    });
    list.insertAdjacentElement("afterend", button);
  });
})();
