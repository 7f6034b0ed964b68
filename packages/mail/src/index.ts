export { checkMailSettings, mailSettings, type MailSettings } from './settings.js';
export { deleteMailOf, enqueueMail, enqueueMails, newMailId, type MailMessage, type QueuedMail } from './queue.js';
export { courierPart, retryDelayMs, startCourier, type Courier, type CourierOptions, type CourierRound, type CourierSettings } from './courier.js';
export { createSmtpTransport, MailDeliveryError, type MailTransport, type OutgoingMail } from './transport.js';
