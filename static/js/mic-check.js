// Microphone check on the candidate page: asks for the microphone and shows its level.
(() => {
  const button = document.getElementById("mic-check");
  if (!button) return;
  const level = document.getElementById("mic-level");
  const status = document.getElementById("mic-status");
  let stream = null;
  let audioContext = null;

  function micErrorMessage(error) {
    if (error && (error.name === "NotAllowedError" || error.name === "SecurityError")) {
      return "Microphone access was denied. Allow the microphone for this page in your browser's address bar, then press the button again.";
    }
    if (error && error.name === "NotFoundError") {
      return "No microphone was found. Plug one in (or a headset), then press the button again.";
    }
    if (error && error.name === "NotReadableError") {
      return "Your microphone is being used by another application. Close it, then try again.";
    }
    return "The microphone could not be started. Try another browser, or check your system settings.";
  }

  async function start() {
    stop();
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      status.textContent = micErrorMessage(error);
      status.classList.add("error");
      document.dispatchEvent(new CustomEvent("mic-check", { detail: { ok: false } }));
      return;
    }
    status.classList.remove("error");
    status.textContent = "Microphone on. Speak: the bar shows your voice level.";
    audioContext = new AudioContext();
    const analyser = audioContext.createAnalyser();
    analyser.fftSize = 1024;
    audioContext.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const draw = () => {
      if (!audioContext) return;
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const sample of samples) sum += sample * sample;
      const rms = Math.sqrt(sum / samples.length);
      level.style.width = `${Math.min(100, rms * 400)}%`;
      requestAnimationFrame(draw);
    };
    draw();
    document.dispatchEvent(new CustomEvent("mic-check", { detail: { ok: true } }));
  }

  function stop() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    if (audioContext) audioContext.close();
    stream = null;
    audioContext = null;
    level.style.width = "0";
  }

  button.addEventListener("click", start);
  window.micCheck = { stop, micErrorMessage };
})();
