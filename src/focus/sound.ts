import { spawn } from 'node:child_process';

/**
 * A short end-of-session sound. VS Code has no sound API (microsoft/vscode#421) and a sound is the one cue that gets
 * through DND and a background window, so a native player is spawned; failures (no player, no audio device) are
 * ignored: the sound is a courtesy, the notice still shows.
 */
export function playEndSound(platform: NodeJS.Platform = process.platform): void {
  const candidates: [string, string[]][] =
    platform === 'darwin'
      ? [['afplay', ['/System/Library/Sounds/Glass.aiff']]]
      : platform === 'win32'
        ? [
            [
              'powershell',
              ['-NoProfile', '-Command', '[System.Media.SystemSounds]::Asterisk.Play(); Start-Sleep -Milliseconds 600'],
            ],
          ]
        : [
            ['paplay', ['/usr/share/sounds/freedesktop/stereo/complete.oga']],
            ['aplay', ['-q', '/usr/share/sounds/alsa/Front_Center.wav']],
          ];
  const tryAt = (i: number) => {
    if (i >= candidates.length) return;
    const [cmd, args] = candidates[i];
    try {
      const child = spawn(cmd, args, { stdio: 'ignore', windowsHide: true });
      child.on('error', () => tryAt(i + 1));
      child.on('exit', (code) => {
        if (code !== 0) tryAt(i + 1);
      });
      child.unref();
    } catch {
      tryAt(i + 1);
    }
  };
  tryAt(0);
}
