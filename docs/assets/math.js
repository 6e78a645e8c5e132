// Render the math that pymdownx.arithmatex (generic mode) leaves in .arithmatex elements,
// with the KaTeX copy this site serves itself. Runs on every page load, including instant
// navigation (Material's document$ observable).
document$.subscribe(({ body }) => {
  body.querySelectorAll(".arithmatex").forEach((element) => {
    renderMathInElement(element, {
      delimiters: [
        { left: "\\(", right: "\\)", display: false },
        { left: "\\[", right: "\\]", display: true },
      ],
      throwOnError: false,
      errorCallback: (message, error) => console.error("KaTeX: " + message, error),
    });
  });
});
