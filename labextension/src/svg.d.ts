// The JupyterLab builder loads .svg files as strings.
declare module '*.svg' {
  const value: string;
  export default value;
}
