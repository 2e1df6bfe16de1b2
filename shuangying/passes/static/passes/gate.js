// Gate check: scan a pass QR with the phone's camera (jsQR, vendored by the checkpoints app),
// put the code in the form and submit it. Typing or a hardware scanner works without this.
(function () {
  "use strict";
  const button = document.getElementById("gate-scan");
  if (!button) return;
  const box = document.getElementById("gate-scan-box");
  const video = document.getElementById("gate-scan-video");
  const canvas = document.createElement("canvas");
  const status = document.getElementById("gate-scan-status");
  let stream = null;

  function stop() {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    box.hidden = true;
  }

  function tick() {
    if (!stream) return;
    if (video.readyState === video.HAVE_ENOUGH_DATA) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const ctx = canvas.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(video, 0, 0);
      const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (code && code.data) {
        document.getElementById("id_token").value = code.data;
        stop();
        document.getElementById("gate-form").requestSubmit();
        return;
      }
    }
    requestAnimationFrame(tick);
  }

  button.addEventListener("click", () => {
    if (!navigator.mediaDevices || !window.jsQR) {
      status.textContent = "此设备不能使用摄像头，请手动输入通行证码";
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then((s) => {
      stream = s;
      box.hidden = false;
      video.srcObject = s;
      video.play();
      requestAnimationFrame(tick);
    }).catch(() => { status.textContent = "无法打开摄像头，请手动输入通行证码"; });
  });
  document.getElementById("gate-scan-stop").addEventListener("click", stop);
})();
