// Headless Debian Chromium through playwright-core (installed in the cache, not
// in the project's node_modules): a minimal typed surface of what the tests use.
import { createRequire } from 'node:module';

export interface Locator {
  first(): Locator;
  nth(i: number): Locator;
  click(opts?: { timeout?: number; force?: boolean }): Promise<void>;
  focus(): Promise<void>;
  press(key: string): Promise<void>;
  waitFor(opts?: { state?: 'visible' | 'attached'; timeout?: number }): Promise<void>;
  count(): Promise<number>;
  isVisible(): Promise<boolean>;
}
export interface Frame {
  url(): string;
  locator(selector: string): Locator;
  evaluate<T>(fn: string): Promise<T>;
}
export interface ConsoleMessage {
  type(): string;
  text(): string;
}
export interface Page {
  goto(url: string, opts?: { timeout?: number; waitUntil?: string }): Promise<unknown>;
  setContent(html: string, opts?: { waitUntil?: string }): Promise<void>;
  addInitScript(script: string): Promise<void>;
  exposeFunction(name: string, fn: (...args: never[]) => unknown): Promise<void>;
  evaluate<T>(fn: string | ((arg: never) => T), arg?: unknown): Promise<T>;
  screenshot(opts: { path: string; fullPage?: boolean }): Promise<Buffer>;
  locator(selector: string): Locator;
  frames(): Frame[];
  getByRole(role: string, opts?: { name?: string | RegExp; exact?: boolean }): Locator;
  on(event: 'console', fn: (m: ConsoleMessage) => void): void;
  on(event: 'pageerror', fn: (e: Error) => void): void;
  setViewportSize(size: { width: number; height: number }): Promise<void>;
  close(): Promise<void>;
}
export interface BrowserContext {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
export interface Browser {
  newContext(opts?: {
    viewport?: { width: number; height: number };
    deviceScaleFactor?: number;
  }): Promise<BrowserContext>;
  close(): Promise<void>;
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-default-apps',
  '--disable-extensions',
];

export async function launchChromium(playwrightDir: string, executablePath: string): Promise<Browser> {
  const pw = createRequire(import.meta.url)(playwrightDir) as { chromium: { launch(o: object): Promise<Browser> } };
  return pw.chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}
