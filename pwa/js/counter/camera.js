// Camera scanning at the counter. The browser's own BarcodeDetector reads QR codes where it
// has one (Chrome on Android and macOS); everywhere else — Chromium on Linux and Windows,
// Firefox, Safari on iPhones and iPads — the vendored zxing-wasm reader does, loaded only
// here and only when the camera is opened (about 1 MB, then cached by the counter's service
// worker). The counter page's CSP allows 'wasm-unsafe-eval' for it; no other page does.

const ZXING_MODULE = "/app/vendor/zxing-wasm/es/reader/index.js";
const ZXING_WASM = "/app/vendor/zxing-wasm/reader/zxing_reader.wasm";
const LOOK_EVERY_MS = 150;
// The camera frame is scaled down to at most this many pixels on its longer side before
// decoding: enough for a version-10 QR filling a third of the frame, and fast on a tablet.
const DECODE_MAX_SIDE = 960;

/** A camera can be opened at all (a decoder is always there: native or vendored). */
export function cameraSupported() {
  return Boolean(navigator.mediaDevices?.getUserMedia);
}

async function nativeDetector() {
  if (!("BarcodeDetector" in window)) return null;
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    if (!formats.includes("qr_code")) return null;
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    return {
      name: "native",
      async read(video) {
        return (await detector.detect(video)).map((c) => c.rawValue || "");
      },
    };
  } catch {
    return null;
  }
}

let zxing = null; // the module, once loaded

async function vendoredDetector() {
  if (!zxing) {
    const module = await import(ZXING_MODULE);
    await module.prepareZXingModule({
      overrides: {
        locateFile: (path, prefix) =>
          path.endsWith(".wasm") ? new URL(ZXING_WASM, location.href).href : prefix + path,
      },
      fireImmediately: true,
    });
    zxing = module;
  }
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  return {
    name: "zxing-wasm",
    async read(video) {
      const width = video.videoWidth;
      const height = video.videoHeight;
      if (!width || !height) return [];
      const scale = Math.min(1, DECODE_MAX_SIDE / Math.max(width, height));
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const frame = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = await zxing.readBarcodes(frame, {
        formats: ["QRCode"],
        tryHarder: true,
        maxNumberOfSymbols: 1,
      });
      return found.filter((r) => r.isValid).map((r) => r.text);
    },
  };
}

/** The detector this browser uses: its own where it reads QR codes, else zxing-wasm. */
export async function detector() {
  return (await nativeDetector()) || (await vendoredDetector());
}

/**
 * Start the back camera in `video` and look for a QR code until one is read (`onText`) or
 * the camera or decoder fails (`onError`). `onReady(name)` says which decoder runs.
 * Returns a function that stops scanning.
 */
export function startScan(video, { onText, onError, onReady }) {
  let stream = null;
  let timer = 0;
  let stopped = false;
  let reader = null;

  function stop() {
    stopped = true;
    clearTimeout(timer);
    stream?.getTracks().forEach((track) => track.stop());
    video.srcObject = null;
  }

  async function look() {
    if (stopped) return;
    try {
      const texts = await reader.read(video);
      const hit = texts.find((t) => /^XY[12]:/.test(t.trim().toUpperCase())) || texts[0];
      if (hit && !stopped) {
        stop();
        onText(hit);
        return;
      }
    } catch {
      /* the frame was not ready: try the next one */
    }
    timer = setTimeout(look, LOOK_EVERY_MS);
  }

  Promise.all([
    detector(),
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }),
  ])
    .then(([found, s]) => {
      if (stopped) {
        s.getTracks().forEach((track) => track.stop());
        return;
      }
      reader = found;
      stream = s;
      video.srcObject = s;
      onReady?.(found.name);
      return video.play().then(look);
    })
    .catch((error) => {
      stop();
      onError(error);
    });
  return stop;
}
