/**
 * The marker in front of a record printed on stdout where no private channel exists: the Jupyter kernel route
 * (notebook.ts) and harness.py run by hand.
 */
export const HARNESS_MARK = '@@FLOWBENCH@@ ';
