// Microphone check on the candidate page: asks for the microphone and shows its level.
(() => {
  const button = document.getElementById("mic-check");
  if (!button) return;
  const level = document.getElementById("mic-level");
  const status = document.getElementById("mic-status");
  let stream = null;
  let stopMeter = null;

  // Shows the level of a microphone stream as the width of `bar`; returns a function that stops it.
  // The room uses it too, on the track it sends to the interviewer.
  function startMeter(source, bar) {
    const audioContext = new AudioContext();
    const analyser = audioContext.createAnalyser();
    analyser.fftSize = 1024;
    audioContext.createMediaStreamSource(source).connect(analyser);
    if (audioContext.state === "suspended") audioContext.resume().catch(() => {});
    const samples = new Float32Array(analyser.fftSize);
    let running = true;
    const draw = () => {
      if (!running) return;
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const sample of samples) sum += sample * sample;
      const rms = Math.sqrt(sum / samples.length);
      bar.style.width = `${Math.min(100, rms * 400)}%`;
      requestAnimationFrame(draw);
    };
    draw();
    return () => {
      running = false;
      audioContext.close();
      bar.style.width = "0";
    };
  }

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
    stopMeter = startMeter(stream, level);
    document.dispatchEvent(new CustomEvent("mic-check", { detail: { ok: true } }));
  }

  function stop() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    if (stopMeter) stopMeter();
    stream = null;
    stopMeter = null;
  }

  button.addEventListener("click", start);
  window.micCheck = { stop, micErrorMessage, startMeter };
})();
