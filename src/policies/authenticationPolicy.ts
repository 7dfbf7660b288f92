import type { Policy } from '../pipeline/pipeline';

/**
 * Credentials are verified again for each operation, not once per connection: over HTTP the
 * request was just authenticated, but a WebSocket connection lives on after its token expires
 * or its API key is revoked. Bad credentials refuse the operation with UNAUTHENTICATED (the
 * WebSocket server then closes the connection).
 */
export function authenticationPolicy(): Policy {
  return {
    name: 'authentication',
    async prepare(state) {
      state.viewer = await state.verifyViewer();
    },
  };
}
