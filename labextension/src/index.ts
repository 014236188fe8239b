import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  Notification,
  showDialog,
  Dialog
} from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';

import { RestApi } from './api';
import { globusIcon } from './icons';
import { DEFAULT_SETTINGS, GlobusModel, IModelSettings } from './model';
import { errorMessage } from './signal';
import { isCanceled } from './tasks';
import { CommandIDs, PLUGIN_ID, TRANSLATION_DOMAIN } from './tokens';
import type { ITaskRecord } from './types';
import { GlobusPanel } from './widget';

const PANEL_ID = 'tunel-jupyter-panel';

/** Reads the model settings, falling back to the defaults for bad values. */
function readSettings(settings: ISettingRegistry.ISettings): IModelSettings {
  const composite = settings.composite as Partial<IModelSettings>;
  return {
    defaultScope: composite.defaultScope ?? DEFAULT_SETTINGS.defaultScope,
    pollInterval: composite.pollInterval ?? DEFAULT_SETTINGS.pollInterval,
    pageSize: composite.pageSize ?? DEFAULT_SETTINGS.pageSize
  };
}

function notifyTaskEnded(
  task: ITaskRecord,
  trans: TranslationBundle,
  showPanel: () => void
): void {
  const name = task.label || task.task_id;
  const actions = [{ label: trans.__('Show'), callback: showPanel }];
  if (task.status === 'SUCCEEDED') {
    Notification.success(trans.__('Globus task "%1" succeeded.', name), {
      autoClose: 8000,
      actions
    });
  } else if (isCanceled(task)) {
    Notification.info(trans.__('Globus task "%1" was canceled.', name), {
      autoClose: 8000,
      actions
    });
  } else {
    const reason = task.fatal_error?.description ?? task.nice_status ?? '';
    Notification.error(
      trans.__('Globus task "%1" failed. %2', name, reason).trim(),
      {
        autoClose: false,
        actions
      }
    );
  }
}

/**
 * The Globus side panel: login, endpoint lists, browsing, transfers and tasks,
 * plus commands and the file browser's "Send with Globus…" item.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Move data with Globus from a JupyterLab side panel.',
  autoStart: true,
  optional: [
    ITranslator,
    ICommandPalette,
    ILayoutRestorer,
    ISettingRegistry,
    IDefaultFileBrowser
  ],
  activate: (
    app: JupyterFrontEnd,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    fileBrowser: IDefaultFileBrowser | null
  ) => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    const model = new GlobusModel(new RestApi(trans), {}, trans);

    const showPanel = () => app.shell.activateById(PANEL_ID);
    const cancelTask = async (task: ITaskRecord) => {
      const name = task.label || task.task_id;
      const answer = await showDialog({
        title: trans.__('Cancel the Globus task?'),
        body: trans.__(
          'Globus stops "%1"; files already transferred stay where they are.',
          name
        ),
        buttons: [
          Dialog.cancelButton({ label: trans.__('Keep running') }),
          Dialog.warnButton({ label: trans.__('Cancel task') })
        ]
      });
      if (!answer.button.accept) {
        return;
      }
      try {
        Notification.info(await model.tasks.cancel(task.task_id), {
          autoClose: 5000
        });
      } catch (error) {
        Notification.error(
          trans.__('Could not cancel "%1": %2', name, errorMessage(error))
        );
      }
    };

    const panel = new GlobusPanel(model, trans, task => void cancelTask(task));
    panel.id = PANEL_ID;
    panel.title.icon = globusIcon;
    panel.title.caption = trans.__('Globus');
    app.shell.add(panel, 'left', { rank: 850 });
    restorer?.add(panel, PANEL_ID);

    model.tasks.taskEnded.connect(task => {
      notifyTaskEnded(task, trans, showPanel);
      // The default file browser polls slowly; show the new files now.
      if (task.status === 'SUCCEEDED' && fileBrowser) {
        void fileBrowser.model.refresh();
      }
    });
    model.submitted.connect(task => {
      Notification.info(
        trans.__('Globus task "%1" submitted.', task.label || task.task_id),
        {
          autoClose: 5000
        }
      );
    });

    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(settings => {
          model.applySettings(readSettings(settings));
          settings.changed.connect(() =>
            model.applySettings(readSettings(settings))
          );
        })
        .catch(error =>
          console.error('tunel-jupyter: cannot load the settings', error)
        )
        .then(() => model.start());
    } else {
      void model.start();
    }

    const { commands } = app;
    commands.addCommand(CommandIDs.openPanel, {
      label: trans.__('Open the Globus Panel'),
      icon: args => (args.isPalette ? undefined : globusIcon),
      execute: showPanel
    });
    commands.addCommand(CommandIDs.login, {
      label: trans.__('Log In to Globus'),
      execute: async () => {
        showPanel();
        await model.session.startLogin();
      }
    });
    commands.addCommand(CommandIDs.logout, {
      label: trans.__('Log Out of Globus'),
      isEnabled: () => model.session.loggedIn,
      execute: async () => {
        const revoked = await model.logout();
        if (!revoked) {
          Notification.warning(
            trans.__(
              'Logged out here, but Globus did not confirm that it revoked the tokens.'
            )
          );
        }
      }
    });
    commands.addCommand(CommandIDs.refresh, {
      label: trans.__('Refresh the Globus Panel'),
      execute: () => model.refresh()
    });
    commands.addCommand(CommandIDs.transfer, {
      label: trans.__('Start the Globus Transfer'),
      isEnabled: () => model.session.loggedIn,
      execute: async () => {
        showPanel();
        await model.transfer();
      }
    });
    commands.addCommand(CommandIDs.sendWithGlobus, {
      label: trans.__('Send with Globus…'),
      icon: globusIcon,
      isVisible: () => model.localCollection !== null,
      execute: async () => {
        const items = fileBrowser
          ? Array.from(fileBrowser.selectedItems())
          : [];
        if (items.length === 0) {
          return;
        }
        showPanel();
        try {
          await model.sendLocalPaths(
            items.map(item => ({
              path: item.path,
              type: item.type === 'directory' ? 'directory' : 'file'
            }))
          );
        } catch (error) {
          Notification.error(errorMessage(error));
        }
      }
    });

    app.contextMenu.addItem({
      command: CommandIDs.sendWithGlobus,
      selector: '.jp-DirListing-item[data-isdir]',
      rank: 12
    });

    if (palette) {
      const category = trans.__('Globus');
      for (const command of [
        CommandIDs.openPanel,
        CommandIDs.login,
        CommandIDs.logout,
        CommandIDs.refresh,
        CommandIDs.transfer
      ]) {
        palette.addItem({ command, category });
      }
    }
  }
};

export default plugin;
