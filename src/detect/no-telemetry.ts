/**
 * Turns off onnxruntime's telemetry before onnxruntime-node is loaded: import this module first.
 * Since 1.30 the official Linux and macOS builds send usage events to Microsoft (1DS), keep a
 * persistent device identifier in ~/.cache/Microsoft/DeveloperTools/.onnxruntime/deviceid and leave
 * an empty mat-debug-PID.log in /tmp on every run (a new-user trial found thousands); a tool for
 * anonymizing footage sends nothing anywhere. `ORT_DISABLE_TELEMETRY=1`, set before onnxruntime
 * starts, turns all of it off (microsoft/onnxruntime#27379). A value the user set is left as it is.
 * The detector's worker thread shares the process's environment, which the main thread sets here
 * (bin/faceblur.js imports the CLI, which imports this before anything starts a session).
 */
process.env.ORT_DISABLE_TELEMETRY ??= '1';
