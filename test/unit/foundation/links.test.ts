import { describe, expect, it } from 'vitest';
import { checkExternalUrl, IM_SCHEMES, isSafeExternalUrl } from '@shared/external-urls';

describe('the vetted external-link predicate', () => {
  it.each([
    'https://runbooks.example.internal/ozon-orders-pull',
    'http://grafana.example.com:3000/d/abc?orgId=1&from=now-1h',
    'mailto:oncall@example.com',
    'tel:+86-10-5555-0100',
    'https://[2001:db8::1]/status',
  ])('allows %s', (url) => expect(checkExternalUrl(url)).toMatchObject({ ok: true }));

  it.each([
    ['javascript:alert(1)', /scheme javascript:/],
    ['JaVaScRiPt:alert(1)', /scheme javascript:/],
    ['  javascript:alert(1)', /whitespace/],
    ['java\tscript:alert(1)', /control/],
    ['file:///etc/passwd', /scheme file:/],
    ['data:text/html,<script>alert(1)</script>', /scheme data:/],
    ['vbscript:msgbox(1)', /scheme vbscript:/],
    ['blob:https://example.com/uuid', /scheme blob:/],
    ['about:blank', /scheme about:/],
    ['chrome://settings', /scheme chrome:/],
    ['smb://fileserver/share', /scheme smb:/],
    ['https://paypal.com@evil.example', /credentials/],
    ['https://user:pass@example.com', /credentials/],
    ['https://exаmple.com/', /look-alike/], // Cyrillic а
    ['https://xn--exmple-cua.com/', /look-alike/],
    ['https://example.com\\@evil.example', /backslash/],
    ['https://example.com/\u202egnp.exe', /control or invisible/],
    ['https://exa\u200bmple.com', /control or invisible/],
    ['//evil.example/path', /absolute URL/],
    ['/relative/path', /absolute URL/],
    ['', /empty/],
    ['mailto:a@b.com,c@d.com?bcc=x@y.z', /single address/],
    ['tel:;phone-context=javascript:alert(1)', /digits/],
    ['slack://user?team=T1&id=U1', /scheme slack:/],
  ])('refuses %j', (url, reason) => {
    const r = checkExternalUrl(url);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('refuses non-strings and oversized input', () => {
    expect(isSafeExternalUrl(undefined)).toBe(false);
    expect(isSafeExternalUrl({ href: 'https://example.com' })).toBe(false);
    expect(isSafeExternalUrl('https://example.com/' + 'a'.repeat(5000))).toBe(false);
  });

  it('allows IM deep links only when asked for', () => {
    expect(isSafeExternalUrl('dingtalk://dingtalkclient/action/sendmsg?dingtalk_id=abc')).toBe(false);
    expect(isSafeExternalUrl('dingtalk://dingtalkclient/action/sendmsg?dingtalk_id=abc', IM_SCHEMES)).toBe(true);
  });
});
