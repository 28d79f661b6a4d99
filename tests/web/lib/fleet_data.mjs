// The fleet the daemon tests feed: corpus lines (tests/cases/, tests/scenarios/) as each device
// sends them, one device per story, and two lines in the shape of S05's whose tunnel groups
// are markup.

import { records } from './harness.mjs';

export const stuckMainMode = 'cases/asa-mm-wait-msg4-wrong-peer-ip-tunnelsup.log';

export const XSS_IMG = '<img src=x onerror="window.__xss=1">';
export const XSS_SCRIPT = '<script>window.__xss=1</script>';

export const devices = {
  'fw-hq': () => records(stuckMainMode, 'fw-hq'),
  'fw-branch': () => records('scenarios/S00-asa-initiator-healthy.log', 'fw-branch'),
  'fw-dc': () => records('scenarios/C02-asa-aggressive-initiator.log', 'fw-dc'),
  'fw-remote': () => records('scenarios/S00c-asa-responder-syslog.log', 'fw-remote'),
  'fw-edge': () => records('scenarios/S05-tunnel-group-missing.log', 'fw-edge'),
  // PIX behind a relay: the relay's address names the device.
  relay: () => records('scenarios/S12-pix-aggressive-no-answer.log', null),
  // An IKEv2 remote-access peer with an IPv6 address (elastic-integrations-cisco_asa.log).
  'asa-vpn-01': () => records('corpus/elastic-integrations-cisco_asa.log', null, { oneLineEach: true })
    .filter((l) => l.includes('751025: Local:2001:db8::1:4500')).slice(0, 1),
  'fw-lab': () => [
    `<166>Dec 19 15:49:50 fw-lab : [IKEv1]: Group = ${XSS_IMG}, IP = 198.51.100.66, Can't find a valid tunnel group, aborting...!`,
    `<166>Dec 19 15:49:51 fw-lab : [IKEv1]: Group = 198.51.100.67, IP = 198.51.100.67, ${XSS_SCRIPT} Can't find a valid tunnel group, aborting...!`,
  ],
};

/** Every device's records. */
export function allRecords() {
  return Object.values(devices).flatMap((f) => f());
}

export const PEERS = 9;
