import type { AttributeStore } from './store';

/** events/delete: the event and its attributes are removed (see AttributeStore.removeEvent). */
export function deleteEvent(store: AttributeStore, eventId: number): void {
  store.removeEvent(eventId);
}

/**
 * /_emulator routes of the reconciliation, for a demo or a bench in another process:
 *   POST   /_emulator/events/{id}/unpublish   the event leaves the published ones
 *   DELETE /_emulator/events/{id}             see deleteEvent
 * Undefined for any other route.
 */
export function routeEventRemoval(method: string, path: string, store: AttributeStore): unknown {
  const unpublish = /^\/_emulator\/events\/(\d+)\/unpublish$/.exec(path);
  if (method === 'POST' && unpublish) {
    store.unpublishEvent(Number(unpublish[1]));
    return { unpublished: Number(unpublish[1]) };
  }
  const event = /^\/_emulator\/events\/(\d+)$/.exec(path);
  if (method === 'DELETE' && event) {
    deleteEvent(store, Number(event[1]));
    return { deleted: Number(event[1]) };
  }
  return undefined;
}
