/** The NOTIFY channel enqueue signals on; idle workers LISTEN to it to start jobs promptly. */
export const jobsChannel = 'slipway_jobs';
