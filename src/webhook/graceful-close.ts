// Graceful shutdown of an HTTP(S) server, shared by kaji webhook and kaji
// dashboard --serve: stop taking connections, let the answers under way
// finish, each closing its keep-alive connection, and cut what is still open
// after a grace period (a client that never finishes its request).
import type { Server } from 'node:http';
import type { ServerResponse } from 'node:http';

export interface GracefulClose {
  /** True once close() was called. */
  readonly closing: boolean;
  /** Call first thing for each request: an answer made while closing (or under way when it began) says `Connection: close`. */
  track(response: ServerResponse): void;
  /** Resolves when every connection is closed; connections still open after `graceMs` are cut. */
  close(graceMs: number): Promise<void>;
}

export function gracefulClose(server: Server): GracefulClose {
  let closing = false;
  // Answers not yet sent: one whose request began before close() must say `Connection: close` too,
  // or its keep-alive connection would carry a next request into a server shutting down.
  const unanswered = new Set<ServerResponse>();
  return {
    get closing() {
      return closing;
    },
    track(response) {
      if (closing) response.setHeader('Connection', 'close');
      unanswered.add(response);
      response.on('close', () => unanswered.delete(response));
    },
    close(graceMs) {
      closing = true;
      return new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        // close() closes the idle connections; the busy ones close after their answer.
        for (const response of unanswered) if (!response.headersSent) response.setHeader('Connection', 'close');
      });
    },
  };
}
