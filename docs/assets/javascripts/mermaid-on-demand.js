// Material for MkDocs draws diagrams with the global `mermaid` and, when
// there is none, fetches it from a public CDN. This small stand-in takes its
// place and loads the local copy only when a page really has a diagram, so
// the site works offline and pages without diagrams stay light.
(() => {
  const source = new URL("mermaid-11.12.3.min.js", document.currentScript.src);
  let options = {};
  let loading = null;

  function load() {
    loading ??= new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = source.href;
      script.onload = () => {
        const mermaid = window.mermaid; // the real one, set by the script
        mermaid.initialize(options);
        resolve(mermaid);
      };
      script.onerror = () => reject(new Error(`could not load ${source}`));
      document.head.append(script);
    });
    return loading;
  }

  window.mermaid = {
    initialize(settings) {
      options = settings;
    },
    render(id, text) {
      return load().then((mermaid) => mermaid.render(id, text));
    },
  };
})();
