// Progressive enhancement only: every form works without this file.
// Ticking a facet checkbox applies the filters at once (the "Apply filters"
// button stays for keyboard users and for browsers without JavaScript).
document.querySelectorAll("form.facets input[type=checkbox]").forEach(function (box) {
  box.addEventListener("change", function () {
    if (box.form) box.form.submit();
  });
});
