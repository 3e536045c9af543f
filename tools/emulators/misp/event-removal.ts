import type { AttributeStore } from './store';

/**
 * Deletes an event as MISP's readers see it (the reconciliation's tests and demo): its attributes
 * leave every search and the event leaves the listings of published events. Emulated as every
 * attribute soft-deleted and the event unpublished (MISP removes the rows; nothing reads them
 * either way).
 */
export function deleteEvent(store: AttributeStore, eventId: number): void {
  const eventRow = store.eventRowOf(eventId);
  for (let row = 0; row < store.size; row += 1) {
    if (store.eventRows.get(row) === eventRow)
      store.updateAttribute(store.ids.get(row), { deleted: true }, false);
  }
  store.unpublishEvent(eventId);
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
