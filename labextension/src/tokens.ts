/** The plugin ID; also the key of its settings in the settings editor. */
export const PLUGIN_ID = 'tunel-jupyter:plugin';

/** The translation domain of the panel's strings. */
export const TRANSLATION_DOMAIN = 'tunel_jupyter';

/** Command IDs of the Globus panel. */
export namespace CommandIDs {
  export const openPanel = 'tunel-jupyter:open-panel';
  export const login = 'tunel-jupyter:login';
  export const logout = 'tunel-jupyter:logout';
  export const refresh = 'tunel-jupyter:refresh';
  export const sendWithGlobus = 'tunel-jupyter:send-with-globus';
  export const transfer = 'tunel-jupyter:transfer';
}
