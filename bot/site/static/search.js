// Pagefind's search box over every month's index (one bundle a month, merged here); a ?q= from the
// search form in every page's header starts a search at once.
window.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("search");
  const bundles = box.dataset.bundles.trim().split(/\s+/).map((b) => new URL(b, document.baseURI).pathname);
  const ui = new PagefindUI({
    element: "#search", bundlePath: bundles[0], mergeIndex: bundles.slice(1).map((bundlePath) => ({ bundlePath })),
    showSubResults: true, showImages: false, resetStyles: false,
  });
  const query = new URLSearchParams(window.location.search).get("q");
  if (query) ui.triggerSearch(query);
});
