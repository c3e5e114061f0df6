/** Vite's `?raw` imports: the file's text, bundled into the build (used for the checklist templates). */
declare module '*.yaml?raw' {
  const text: string;
  export default text;
}
