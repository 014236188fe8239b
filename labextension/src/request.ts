import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { ITranslate, untranslated } from './signal';
import { ApiError } from './types';

/** URL namespace of the tunel-jupyter REST API below the server's base URL. */
export const API_NAMESPACE = 'tunel/globus';

/**
 * Calls the tunel-jupyter REST API and returns the decoded JSON body.
 *
 * `ServerConnection.makeRequest` adds the Jupyter token or cookie and the
 * XSRF header, so every POST passes the server's XSRF check.
 *
 * @param endPoint - Path below `{base_url}tunel/globus/`, with its query string.
 * @param init - Fetch options; a JSON body is sent as `application/json`.
 * @param trans - Translates the messages written here.
 * @returns The decoded JSON body of a 2xx response.
 * @throws {ApiError} On a network failure (status 0) or any non-2xx response;
 *   `code` carries the server's error code when the body has one.
 */
export async function requestAPI<T>(
  endPoint = '',
  init: RequestInit = {},
  trans: ITranslate = untranslated
): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const requestUrl = URLExt.join(settings.baseUrl, API_NAMESPACE, endPoint);
  if (init.body !== undefined) {
    init = {
      ...init,
      headers: { 'Content-Type': 'application/json', ...(init.headers ?? {}) }
    };
  }

  let response: Response;
  try {
    response = await ServerConnection.makeRequest(requestUrl, init, settings);
  } catch (error) {
    throw new ApiError(
      trans.__('The Jupyter server did not respond: %1', String(error)),
      0
    );
  }

  const text = await response.text();
  let data: unknown = undefined;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch {
      console.warn('tunel-jupyter: the response is not JSON', response.url);
    }
  }

  if (!response.ok) {
    const body =
      data && typeof data === 'object' ? (data as Record<string, unknown>) : {};
    let message = `${response.status} ${response.statusText}`;
    if (typeof body.message === 'string' && body.message) {
      message = body.message;
    }
    // Without our error code, a 401 or 403 comes from Jupyter itself: its
    // login expired or the XSRF check failed, which a page reload fixes.
    if (
      body.code === undefined &&
      (response.status === 401 || response.status === 403)
    ) {
      message = trans.__(
        'The Jupyter server rejected the request (%1). Reload the page, and log in to Jupyter again if it asks.',
        message
      );
    }
    throw new ApiError(message, response.status, body);
  }
  return data as T;
}
