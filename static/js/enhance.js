// Progressive enhancement only: every form works without this file.
// Ticking a facet checkbox applies the filters at once (the "Apply filters"
// button stays for keyboard users and for browsers without JavaScript).
// The reload would send keyboard users back to the top of the page, so the
// option just ticked gets the focus again once the filtered list arrives.
var FACET_FOCUS_KEY = "compendium-facet-focus";

// Search and filter forms leave empty fields (years left blank, say) out of the
// address, so a copied or bookmarked link holds only what is in use. Without this
// file the browser sends them empty, and the server ignores them.
function submitWithoutEmptyFields(form) {
  var params = new URLSearchParams();
  new FormData(form).forEach(function (value, name) {
    if (typeof value === "string" && value.trim() !== "") params.append(name, value);
  });
  var query = params.toString();
  window.location.assign(form.action.split("?")[0] + (query ? "?" + query : ""));
}
document.querySelectorAll("form[method=get]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submitWithoutEmptyFields(form);
  });
});
document.querySelectorAll("form.facets input[type=checkbox]").forEach(function (box) {
  box.addEventListener("change", function () {
    if (!box.form) return;
    try {
      sessionStorage.setItem(FACET_FOCUS_KEY, box.name + "=" + box.value);
    } catch (error) {
      // Storage may be off; the filters still apply.
    }
    submitWithoutEmptyFields(box.form);
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
    if (box.name + "=" + box.value !== wanted) return;
    // On a phone the facets sit in a closed "Filters" disclosure: open it first.
    var disclosure = box.closest("details");
    if (disclosure) disclosure.open = true;
    box.focus();
  });
})();

// A long facet gets a box that narrows its options as you type (case and accents
// ignored). Without this file the box stays hidden and every option is listed.
function foldText(text) {
  return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}
document.querySelectorAll(".facet-narrow[data-facet]").forEach(function (box) {
  var fieldset = box.closest("fieldset");
  var input = box.querySelector("input");
  if (!fieldset || !input) return;
  box.hidden = false;
  input.addEventListener("input", function () {
    var wanted = foldText(input.value.trim());
    var items = fieldset.querySelectorAll("li");
    items.forEach(function (item) { item.hidden = wanted !== ""; });
    items.forEach(function (item) {
      var label = item.querySelector("label");
      if (!label || wanted === "" || foldText(label.textContent).indexOf(wanted) === -1) return;
      for (var node = item; node && node !== fieldset; node = node.parentElement) {
        if (node.tagName === "LI") node.hidden = false;
      }
    });
  });
});
