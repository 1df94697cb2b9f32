// Builds dist/ as Streamlit serves it: relative asset paths (the page is served under
// /component/<name>/), minified, no source maps, fixed file names (dist/ is committed:
// a rebuild then changes the same two files instead of adding new ones).
import { defineConfig } from "vite";

export default defineConfig({
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    rollupOptions: {
      output: {
        entryFileNames: "assets/canvas.js",
        assetFileNames: "assets/canvas[extname]",
      },
      onwarn(warning, warn) {
        // React Flow's "use client" marks it for server components: nothing to keep here.
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
});
