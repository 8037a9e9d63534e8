/* The import preview: the Import button imports what the preview shows. Once the mapping
   form is changed and not yet refreshed, Import is held back with a note saying so, so a
   choice on the screen is never silently left out of the import. Works across htmx swaps. */
(function () {
  "use strict";
  function changed(event) {
    var form = event.target.closest && event.target.closest("#mapping-form");
    if (!form) { return; }
    var button = document.querySelector("#import-form button[type=submit]");
    var note = document.getElementById("mapping-changed");
    if (button) { button.disabled = true; }
    if (note) { note.hidden = false; }
  }
  document.addEventListener("change", changed);
  document.addEventListener("input", changed);
})();
