/**
 * The Sekoia.io regions the trigger form offers (`sekoia_region`), each shown with the address
 * users log in to, and the API base URL its IOCs are pushed to (Sekoia.io's API documentation).
 */
export const SEKOIA_REGION_APIS: Readonly<Record<string, string>> = Object.freeze({
  'FRA1 (app.sekoia.io)': 'https://api.sekoia.io',
  'FRA2 (app.fra2.sekoia.io)': 'https://app.fra2.sekoia.io/api',
  'MCO1 (app.mco1.sekoia.io)': 'https://app.mco1.sekoia.io/api',
  'UAE1 (app.uae1.sekoia.io)': 'https://app.uae1.sekoia.io/api',
  'USA1 (app.usa1.sekoia.io)': 'https://app.usa1.sekoia.io/api',
});
