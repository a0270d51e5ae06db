// components/ui/visible-text.ts: what a message's text looks like on screen.
import { describe, expect, it } from 'vitest';
import { visibleText } from '@/components/ui/visible-text';

describe('visibleText', () => {
  it('writes direction overrides, isolates and zero-width characters by their code point', () => {
    expect(visibleText('payment-service\u202e')).toBe('payment-service⟨U+202E⟩');
    expect(visibleText('rtl \u202eevil\u202c zero\u200bwidth')).toBe('rtl ⟨U+202E⟩evil⟨U+202C⟩ zero⟨U+200B⟩width');
    expect(visibleText('\u2066a\u2069\ufeff\u200f')).toBe('⟨U+2066⟩a⟨U+2069⟩⟨U+FEFF⟩⟨U+200F⟩');
    // tag characters outside the BMP spell hidden ASCII ("A" here)
    expect(visibleText('payment-service\u{E0041}')).toBe('payment-service⟨U+E0041⟩');
    expect(visibleText('soft\u00adhyphen')).toBe('soft⟨U+00AD⟩hyphen');
  });

  it('leaves ordinary text, right-to-left scripts and emoji sequences as they are', () => {
    for (const s of ['order.created', 'שלום עולם', 'مرحبا', '👨\u200d👩\u200d👧', 'नमस्ते', 'a\u200cb']) expect(visibleText(s)).toBe(s);
  });
});
