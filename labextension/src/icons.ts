import { LabIcon } from '@jupyterlab/ui-components';

import globusSvg from '../style/icons/globus.svg';

/** The Globus panel's icon in the left sidebar and in the commands. */
export const globusIcon = new LabIcon({
  name: 'tunel-jupyter:globus',
  svgstr: globusSvg
});
