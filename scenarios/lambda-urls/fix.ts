/**
 * What the fix changes, tweet by tweet: with the bug, a tweet that links one page twice, once with
 * a tracking parameter and once without (or with two different ones), counts as two URLs; once the
 * tracking parameters are dropped both are the same page, and a tweet counts once per page. Those
 * tweets are why the fixed view has fewer links than the buggy one.
 */
import type { RedirectTable } from "./normalize";
import { parseTweet, type RawTweet } from "./tweets";

export type MergedLinks = {
  offset: number;
  /** The URLs as the buggy code kept them (without "https://"). */
  with_bug: string;
  /** The pages after the fix (without "https://"). */
  after_fix: string;
  /** Links the fix takes away (buggy URLs - fixed pages). */
  links_merged: number;
};

/** The tweets whose links the fix merges, in offset order. */
export function linksMergedByFix(messages: Iterable<RawTweet>, redirects: RedirectTable): MergedLinks[] {
  const out: MergedLinks[] = [];
  for (const m of messages) {
    const buggy = parseTweet(m.value, { redirects, keepTracking: true });
    const fixed = parseTweet(m.value, { redirects, keepTracking: false });
    if (!buggy.ok || !fixed.ok || buggy.value.urls.length === fixed.value.urls.length) continue;
    const short = (urls: string[]) => urls.map((u) => u.replace(/^https:\/\//, "")).join(" ");
    out.push({ offset: m.offset, with_bug: short(buggy.value.urls), after_fix: short(fixed.value.urls), links_merged: buggy.value.urls.length - fixed.value.urls.length });
  }
  return out;
}
