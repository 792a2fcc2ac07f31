/**
 * The exercises of the classroom fixture notebooks (test/fixtures/notebooks/classroom/quiz-*.ipynb):
 * real lib/teach exercises with checks that cost nothing, so a class of learners runs in seconds.
 * The notebooks require this compiled file (dist/test/lib/classroom/quiz.js).
 */
import { exercise } from "../../../lib/teach";

export const SENTENCE = "Batch jobs replay immutable partitions";
export const PHRASE = "data engineering";

/** Reference code: the sum of the even numbers from 1 to n. */
export function sumOfEvens(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i += 2) s += i;
  return s;
}

/** Reference code: the longest word of a text (the first one of that length). */
export function longestWord(text: string): string {
  return text.split(/\s+/).reduce((best, w) => (w.length > best.length ? w : best), "");
}

/** Reference code: the vowels of a text. */
export function countVowels(text: string): number {
  return [...text.toLowerCase()].filter((c) => "aeiou".includes(c)).length;
}

/** Exercises of quiz-a: two of them. */
export function quizA() {
  return {
    evens: exercise<number>({
      id: "sum-evens", title: "The sum of the even numbers from 1 to 10",
      hints: ["Only every second number counts.", "A for loop with i += 2.", "Start at 2, stop at 10."],
      solution: () => sumOfEvens(10), expected: () => sumOfEvens(10),
      nudge: (v) => (v === 55 ? "That is the sum of every number, not only the even ones." : v === 25 ? "That is the sum of the odd numbers." : "Add 2, 4, 6, 8 and 10."),
    }),
    longest: exercise<string>({
      id: "longest-word", title: "The longest word of the sentence",
      hints: ["Split the sentence into words.", "split(/\\s+/)", "Keep the word with the most letters."],
      solution: () => longestWord(SENTENCE), expected: () => longestWord(SENTENCE),
      nudge: (v) => (SENTENCE.split(" ").includes(v) ? "Another word is longer." : "Give a word of the sentence, as it is written."),
    }),
  };
}

/** Exercises of quiz-b: one. */
export function quizB() {
  return {
    vowels: exercise<number>({
      id: "count-vowels", title: "The vowels of the phrase",
      hints: ["a, e, i, o and u.", "[...text].filter(...)", "Lower-case it first."],
      solution: () => countVowels(PHRASE), expected: () => countVowels(PHRASE),
      nudge: (v) => (v === PHRASE.length ? "That counts every letter." : "Count a, e, i, o and u only."),
    }),
  };
}
