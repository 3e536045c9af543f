import { accepted, refused, type ValueCheck } from './check';
import { normaliseDomainName } from './domain';

/** RFC 5321 limits: 64 characters before the @, 254 in all. */
const MAX_LOCAL_LENGTH = 64;
const MAX_ADDRESS_LENGTH = 254;
/** RFC 5322 dot-atom: the unquoted local parts real addresses use. Quoted local parts are refused. */
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/** Checks an e-mail address: lower-cased, one @, a dot-atom local part and a valid domain. */
export function checkEmailAddress(text: string): ValueCheck {
  const address = text.toLowerCase();
  if (address === '') return refused('empty e-mail address');
  const at = address.indexOf('@');
  if (at < 0) return refused('e-mail address without @');
  if (address.indexOf('@', at + 1) >= 0) return refused('e-mail address with more than one @');
  const local = address.slice(0, at);
  if (local.length === 0 || local.length > MAX_LOCAL_LENGTH || !LOCAL_PART.test(local)) {
    return refused('invalid part before the @ of an e-mail address');
  }
  const domain = normaliseDomainName(address.slice(at + 1));
  if ('problem' in domain) return refused(`e-mail domain: ${domain.problem}`);
  const normalised = `${local}@${domain.name}`;
  if (normalised.length > MAX_ADDRESS_LENGTH) {
    return refused(`e-mail address longer than ${MAX_ADDRESS_LENGTH} characters`);
  }
  return accepted('email-addr.value', normalised);
}
