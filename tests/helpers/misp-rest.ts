/**
 * A small MISP REST client for tests: it seeds through MISP's own write endpoints (events/add,
 * attributes/add, attributes/edit, events/publish, events/unpublish, events/delete,
 * attributes/delete), so the same calls run against the emulator and against a real MISP, and it
 * deletes every event it created when told to clean up.
 */

export interface MispAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface SeedAttribute {
  type: string;
  value: string;
  to_ids?: boolean;
  category?: string;
  comment?: string;
  Tag?: Array<{ name: string }>;
}

export interface SeedEvent {
  info: string;
  published?: boolean;
  /** 0: your organisation only (MISP's default for a test event). */
  distribution?: number;
  Tag?: Array<{ name: string }>;
  Attribute?: SeedAttribute[];
}

/** The event fields the contract looks at, as numbers and booleans. */
export interface EventState {
  id: number;
  published: boolean;
  timestamp: number;
  publishTimestamp: number;
  attributeCount: number;
}

export interface WireAttribute {
  id: string;
  event_id: string;
  type: string;
  value: string;
  to_ids: boolean;
  deleted: boolean;
  timestamp: string;
  Tag?: Array<{ name: string; inherited?: number }>;
  Event?: { id: string };
}

interface WireEvent {
  id: string;
  published: boolean;
  timestamp: string;
  publish_timestamp: string;
  attribute_count: string;
  Attribute?: Array<{ id: string }>;
}

export class MispRest {
  /** Events created through this client and not deleted yet. */
  private readonly created = new Set<number>();
  /** Requests sent, per path without its id (for tests that count). */
  requests = 0;

  constructor(
    readonly url: string,
    private readonly key: string,
  ) {}

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<MispAnswer<T>> {
    this.requests += 1;
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        Authorization: this.key,
        Accept: 'application/json',
        'Content-Type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: the text is the body
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  /** A call that must answer 200; throws with MISP's answer otherwise. */
  async ok<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.call<T>(method, path, body);
    if (answer.status !== 200)
      throw new Error(`MISP ${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  async version(): Promise<string> {
    return (await this.ok<{ version: string }>('GET', '/servers/getVersion')).version;
  }

  /** events/add: the event id and its attributes' ids, in the order given. */
  async addEvent(event: SeedEvent): Promise<{ id: number; attributeIds: number[] }> {
    const answer = await this.ok<{ Event: WireEvent }>('POST', '/events/add', {
      Event: { distribution: 0, threat_level_id: 4, analysis: 0, ...event },
    });
    const id = Number(answer.Event.id);
    this.created.add(id);
    return { id, attributeIds: (answer.Event.Attribute ?? []).map((a) => Number(a.id)) };
  }

  async addAttribute(eventId: number, attribute: SeedAttribute): Promise<number> {
    const answer = await this.ok<{ Attribute: { id: string } }>(
      'POST',
      `/attributes/add/${eventId}`,
      attribute,
    );
    return Number(answer.Attribute.id);
  }

  async editAttribute(id: number, changes: Partial<SeedAttribute>): Promise<void> {
    await this.ok('POST', `/attributes/edit/${id}`, changes);
  }

  async publish(eventId: number): Promise<void> {
    await this.ok('POST', `/events/publish/${eventId}`);
  }

  async unpublish(eventId: number): Promise<void> {
    await this.ok('POST', `/events/unpublish/${eventId}`);
  }

  async deleteEvent(eventId: number): Promise<void> {
    await this.ok('POST', `/events/delete/${eventId}`);
    this.created.delete(eventId);
  }

  async deleteAttribute(id: number, options: { hard?: boolean } = {}): Promise<void> {
    await this.ok('POST', `/attributes/delete/${id}`, options.hard ? { hard: 1 } : undefined);
  }

  /** The event's state, read with events/restSearch (metadata, published or not). */
  async event(eventId: number): Promise<EventState | undefined> {
    const answer = await this.ok<{ response: Array<{ Event: WireEvent }> }>('POST', '/events/restSearch', {
      returnFormat: 'json',
      eventid: eventId,
      published: [0, 1],
      metadata: true,
    });
    const event = answer.response[0]?.Event;
    if (!event) return undefined;
    return {
      id: Number(event.id),
      published: event.published,
      timestamp: Number(event.timestamp),
      publishTimestamp: Number(event.publish_timestamp),
      attributeCount: Number(event.attribute_count),
    };
  }

  async attributes(
    body: Record<string, unknown>,
  ): Promise<MispAnswer<{ response: { Attribute: WireAttribute[] } }>> {
    return this.call('POST', '/attributes/restSearch', { returnFormat: 'json', ...body });
  }

  async events(
    body: Record<string, unknown>,
  ): Promise<MispAnswer<{ response: Array<{ Event: WireEvent }> }>> {
    return this.call('POST', '/events/restSearch', { returnFormat: 'json', ...body });
  }

  /** Deletes every event this client created (already gone ones are skipped). */
  async cleanUp(): Promise<void> {
    for (const id of [...this.created]) {
      const answer = await this.call('POST', `/events/delete/${id}`);
      if (answer.status !== 200 && answer.status !== 403 && answer.status !== 404)
        throw new Error(`could not delete event ${id}: ${answer.status} ${JSON.stringify(answer.body)}`);
      this.created.delete(id);
    }
  }
}
