// Progressive enhancement only: every form works without this file.
// Ticking a facet checkbox applies the filters at once (the "Apply filters"
// button stays for keyboard users and for browsers without JavaScript).
// The reload would send keyboard users back to the top of the page, so the
// option just ticked gets the focus again once the filtered list arrives.
var FACET_FOCUS_KEY = "compendium-facet-focus";
document.querySelectorAll("form.facets input[type=checkbox]").forEach(function (box) {
  box.addEventListener("change", function () {
    if (!box.form) return;
    try {
      sessionStorage.setItem(FACET_FOCUS_KEY, box.name + "=" + box.value);
    } catch (error) {
      // Storage may be off; the filters still apply.
    }
    box.form.submit();
  });
});
(function restoreFacetFocus() {
  var wanted = null;
  try {
    wanted = sessionStorage.getItem(FACET_FOCUS_KEY);
    sessionStorage.removeItem(FACET_FOCUS_KEY);
  } catch (error) {
    return;
  }
  if (!wanted) return;
  document.querySelectorAll("form.facets input[type=checkbox]").forEach(function (box) {
    if (box.name + "=" + box.value === wanted) box.focus();
  });
})();
