import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

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
 * @returns The decoded JSON body of a 2xx answer.
 * @throws {ApiError} On a network failure (status 0) or any non-2xx answer;
 *   `code` carries the server's error code when the body has one.
 */
export async function requestAPI<T>(
  endPoint = '',
  init: RequestInit = {}
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
      `The Jupyter server did not answer: ${String(error)}`,
      0
    );
  }

  const text = await response.text();
  let data: unknown = undefined;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch {
      console.warn('tunel-jupyter: the answer is not JSON', response.url);
    }
  }

  if (!response.ok) {
    const body =
      data && typeof data === 'object' ? (data as Record<string, unknown>) : {};
    const message =
      typeof body.message === 'string' && body.message
        ? body.message
        : `${response.status} ${response.statusText}`;
    throw new ApiError(message, response.status, body);
  }
  return data as T;
}
