// Settings normalization: liveChecks.enabled defaults off unless the client is
// VS Code (which gates live checks by Workspace Trust); explicit settings win.
import * as assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, normalizeSettings } from '../../../server/src/settings';

describe('server/settings', () => {
  it('live checks are off by default for a client that says nothing', () => {
    assert.equal(DEFAULT_SETTINGS.liveChecks.enabled, false);
    assert.equal(normalizeSettings(undefined).liveChecks.enabled, false);
    assert.equal(normalizeSettings({ diagnostics: { ignore: ['MT101'] } }).liveChecks.enabled, false);
  });
  it("on by default for VS Code's client; the client's own setting wins either way", () => {
    assert.equal(normalizeSettings({}, true).liveChecks.enabled, true);
    assert.equal(normalizeSettings({ liveChecks: { enabled: false } }, true).liveChecks.enabled, false);
    assert.equal(normalizeSettings({ mailtopo: { 'liveChecks.enabled': true } }).liveChecks.enabled, true);
    assert.equal(
      normalizeSettings({ liveChecks: { enabled: 'yes' } }).liveChecks.enabled,
      false,
      'a wrong type is the default',
    );
  });
});
