// "Zitat ergänzen": selecting text in the article fills the form's start and end with its character offsets.
// Every run of the article text is a span whose data-o is the offset of its first character (pages.highlight);
// without script the numeric fields are typed by hand.
(function () {
  const form = document.querySelector("form.add-quotation");
  const text = document.querySelector("article.text");
  if (!form || !text) return;
  function offset(node, at, isEnd) {
    if (node.nodeType === Node.TEXT_NODE) {
      const run = node.parentElement.closest("[data-o]");
      return run && text.contains(run) ? Number(run.dataset.o) + at : null;
    }
    const child = isEnd ? node.childNodes[at - 1] : node.childNodes[at];
    const run = child && child.nodeType === Node.ELEMENT_NODE ? (child.matches("[data-o]") ? child : child.querySelector("[data-o]")) : null;
    if (!run || !text.contains(run)) return null;
    return Number(run.dataset.o) + (isEnd ? run.textContent.length : 0);
  }
  document.addEventListener("selectionchange", function () {
    const selection = document.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    const range = selection.getRangeAt(0);
    if (!text.contains(range.commonAncestorContainer)) return;
    const start = offset(range.startContainer, range.startOffset, false);
    const end = offset(range.endContainer, range.endOffset, true);
    if (start === null || end === null || end <= start) return;
    form.elements.start.value = start;
    form.elements.end.value = end;
    const preview = document.getElementById("selection-preview");
    if (preview) preview.textContent = "„" + selection.toString().slice(0, 200) + "“";
  });
})();
