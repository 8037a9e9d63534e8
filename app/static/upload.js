/* Survey upload with a progress bar: the file goes up by XMLHttpRequest so its progress
   can be shown; without JavaScript the form posts as usual. */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  var bar = document.getElementById("upload-progress");
  var label = document.getElementById("upload-status");
  if (!form || !bar || !window.XMLHttpRequest) { return; }
  form.addEventListener("submit", function (event) {
    if (!form.reportValidity()) { return; }
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    bar.hidden = false;
    label.textContent = "Uploading…";
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        bar.value = Math.round((e.loaded / e.total) * 100);
        label.textContent = "Uploading… " + bar.value + "%";
      }
    });
    request.upload.addEventListener("load", function () {
      label.textContent = "Uploaded; reading the file…";
    });
    request.addEventListener("load", function () {
      if (request.status === 200 && request.responseURL && request.responseURL !== form.action) {
        window.location.href = request.responseURL;  // the preview page, after the redirect
      } else {
        document.open();
        document.write(request.responseText);
        document.close();
      }
    });
    request.addEventListener("error", function () {
      label.textContent = "The upload failed: check the connection and try again.";
    });
    request.send(new FormData(form));
  });
})();
