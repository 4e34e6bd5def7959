// Camera scanning with the BarcodeDetector API (QR codes), where the browser has it.

export async function cameraSupported() {
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices?.getUserMedia) return false;
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    return formats.includes("qr_code");
  } catch {
    return false;
  }
}

/**
 * Start the back camera in `video` and look for a QR code until one is read (`onText`) or
 * the camera fails (`onError`). Returns a function that stops scanning.
 */
export function startScan(video, { onText, onError }) {
  const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
  let stream = null;
  let timer = 0;
  let stopped = false;

  function stop() {
    stopped = true;
    clearTimeout(timer);
    stream?.getTracks().forEach((track) => track.stop());
    video.srcObject = null;
  }

  async function look() {
    if (stopped) return;
    try {
      const codes = await detector.detect(video);
      const hit = codes.find((c) => (c.rawValue || "").trim().toUpperCase().startsWith("XY1:")) || codes[0];
      if (hit?.rawValue) {
        stop();
        onText(hit.rawValue);
        return;
      }
    } catch {
      /* the frame was not ready: try the next one */
    }
    timer = setTimeout(look, 150);
  }

  navigator.mediaDevices
    .getUserMedia({ video: { facingMode: "environment" }, audio: false })
    .then((s) => {
      if (stopped) {
        s.getTracks().forEach((track) => track.stop());
        return;
      }
      stream = s;
      video.srcObject = s;
      return video.play().then(look);
    })
    .catch((error) => {
      stop();
      onError(error);
    });
  return stop;
}
