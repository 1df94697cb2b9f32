// Builds dist/ as Streamlit's components v2 load it: one ES module whose default export
// Streamlit calls with the data (assets/panel.js) and one style sheet (assets/panel.css),
// minified, no source maps, fixed file names (dist/ is committed: a rebuild changes the
// same two files instead of adding new ones). Not library mode: that keeps whitespace.
import { defineConfig } from "vite";

export default defineConfig({
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    cssCodeSplit: false,
    modulePreload: false,
    chunkSizeWarningLimit: 1000, // React, RJSF and its validator: loaded once per page
    rollupOptions: {
      input: "src/main.tsx",
      preserveEntrySignatures: "exports-only",
      output: {
        format: "es",
        entryFileNames: "assets/panel.js",
        assetFileNames: "assets/panel[extname]",
      },
      onwarn(warning, warn) {
        // Libraries' "use client" marks them for server components: nothing to keep here.
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
});
